// Kestrel Hub: the Latchkey demo portal. Plain ES modules, no build step: the SDK comes from
// /sdk/latchkey.js, which the local stage bundles from sdk/src on the fly.
import { createLatchkeyClient, isAutofillSupported, isLatchkeyError, isWebAuthnSupported } from '/sdk/latchkey.js';
import { $, $$, announce, cancelBusyWork, clearFieldError, clearNotices, formatDateTime, setBusy, setFieldError, showError } from './ui.js';
import { createKeysPage } from './keys.js';

// The demo is served by the stage itself; a separate web app would pass the stage's URL and be
// listed in ALLOWED_ORIGINS (docs/web.md). The session stays in memory (the SDK's default).
const client = createLatchkeyClient({ baseUrl: window.location.origin });
const keysPage = createKeysPage(client);

const views = {
  'sign-in': { title: 'Sign in', access: 'signed-out' },
  enrol: { title: 'Set up your first key', access: 'signed-out' },
  'sign-up': { title: 'Create an account', access: 'signed-out' },
  home: { title: 'Home', access: 'signed-in' },
  keys: { title: 'Security keys', access: 'signed-in' },
  'not-found': { title: 'Page not found', access: 'any' },
};

/** Where to go after signing in when a protected page sent the person to sign in. */
let returnTo;
/** A message to announce once the next view is shown. */
let pendingMessage;
/** The view on screen: a second hashchange for it (after a direct render) changes nothing. */
let shownView;

const routeName = () => {
  const name = window.location.hash.replace(/^#\/?/, '');
  if (name === '') return client.getSession() ? 'home' : 'sign-in';
  return name in views ? name : 'not-found';
};

/** Navigates and, once the new view is shown, announces `message` (if any). */
const navigate = (name, message) => {
  pendingMessage = message;
  if (window.location.hash === `#/${name}`) render();
  else window.location.hash = `#/${name}`;
};

const render = () => {
  const name = routeName();
  const view = views[name];
  const session = client.getSession();
  if (view.access === 'signed-in' && !session) {
    returnTo = name;
    pendingMessage ??= 'Sign in to continue.';
    return navigate('sign-in', pendingMessage);
  }
  if (view.access === 'signed-out' && session) return navigate('home', pendingMessage);
  if (name === shownView && pendingMessage === undefined) return;
  shownView = name;

  clearNotices();
  for (const section of $$('[data-view]')) section.hidden = section.dataset.view !== name;
  for (const link of $$('[data-nav]')) {
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${view.title} — Kestrel Hub`;
  // Move focus to the new view's heading, so keyboard and screen-reader users start there.
  $(`[data-view="${name}"] h1`).focus();
  if (pendingMessage) announce(pendingMessage);
  pendingMessage = undefined;

  if (name === 'sign-in') void startAutofill();
  else stopAutofill();
  if (name === 'home') void loadProfile();
  if (name === 'keys') keysPage.load().catch(showError);
};

const showSession = (session) => {
  $('#main-nav').hidden = !session;
  $('#nav-user').textContent = session ? `Signed in as ${session.user.username}` : '';
};
client.onSessionChange((session) => {
  showSession(session);
  // A refused token (401) ends the session: leave the protected page.
  if (!session && views[routeName()].access === 'signed-in') navigate('sign-in', 'Your session has ended. Sign in again.');
});

const signedIn = (session, how) => {
  const target = returnTo ?? 'home';
  returnTo = undefined;
  navigate(target, `Signed in as ${session.user.username} ${how}.`);
};

/** Runs one key ceremony with the busy bar (and its Cancel) up; errors go to the alert region. */
const ceremony = async (busyText, work) => {
  clearNotices();
  setBusy(busyText, () => client.abort());
  try {
    return await work();
  } finally {
    setBusy(false);
  }
};

const quietly = (error) => isLatchkeyError(error, 'aborted');

// ── Passkey autofill (conditional mediation) on the username field ──────────────────────────
let autofill;

const autofillHints = {
  on: 'Your browser can offer your passkey here: select this field.',
  off: 'Type your username and continue; you will be asked for your key.',
};
const showAutofillHint = () => {
  $('#sign-in-username-hint').textContent = autofill ? autofillHints.on : autofillHints.off;
};

const stopAutofill = () => {
  autofill?.abort();
  autofill = undefined;
};

const startAutofill = async () => {
  stopAutofill();
  if (!(await isAutofillSupported())) return showAutofillHint();
  const controller = new AbortController();
  autofill = controller;
  showAutofillHint();
  try {
    const session = await client.signInWithAutofill({ signal: controller.signal });
    signedIn(session, 'with a passkey from autofill');
  } catch (error) {
    // A modal sign-in replaced it, the form went away, or nothing was picked: nothing to say.
    if (isLatchkeyError(error, 'aborted', 'cancelled', 'not_supported')) return;
    showError(error);
  } finally {
    if (autofill === controller) autofill = undefined;
    showAutofillHint();
  }
};

/** Re-arm autofill when the field gets focus, in case an earlier request ended. */
$('#sign-in-username').addEventListener('focus', () => {
  if (!autofill && !client.getSession()) void startAutofill();
});

// ── Sign in ──────────────────────────────────────────────────────────────────────────────────
const signIn = async (username) => {
  try {
    const session = await ceremony('Touch your security key when it blinks…', () => client.signIn(username ? { username } : {}));
    signedIn(session, 'with your security key');
  } catch (error) {
    if (quietly(error)) announce('Sign-in cancelled.');
    else showError(error);
    if (routeName() === 'sign-in' && !client.getSession()) void startAutofill();
  }
};

$('#sign-in-key').addEventListener('click', () => void signIn());

$('#sign-in-username-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('#sign-in-username');
  clearFieldError(input);
  const username = input.value.trim();
  if (username === '') return setFieldError(input, 'Enter your username, or use “Sign in with a security key”.');
  void signIn(username);
});

// ── First key with an administrator's enrollment code ────────────────────────────────────────
$('#enrol-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const code = $('#enrol-code');
  clearFieldError(code);
  const enrollmentCode = code.value.trim();
  const nickname = $('#enrol-nickname').value.trim();
  if (enrollmentCode === '') return setFieldError(code, 'Enter the enrollment code from your administrator.');
  try {
    const { user, credential } = await ceremony('Touch your new security key when it blinks…', () =>
      client.enrol({ enrollmentCode, ...(nickname ? { nickname } : {}) }),
    );
    code.value = '';
    navigate('home', `Welcome, ${user.displayName || user.username}! “${credential.nickname}” is set up and you are signed in.`);
  } catch (error) {
    if (quietly(error)) return announce('Setting up the key was cancelled. Your code is still valid.');
    if (isLatchkeyError(error, 'unauthorized')) return setFieldError(code, error.message);
    showError(error);
  }
});

// ── Self sign-up ─────────────────────────────────────────────────────────────────────────────
$('#sign-up-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const usernameInput = $('#sign-up-username');
  clearFieldError(usernameInput);
  const username = usernameInput.value.trim();
  const displayName = $('#sign-up-display-name').value.trim();
  const nickname = $('#sign-up-nickname').value.trim();
  if (username === '') return setFieldError(usernameInput, 'Choose a username.');
  try {
    const { user, credential } = await ceremony('Touch your security key when it blinks…', () =>
      client.signUp({ username, ...(displayName ? { displayName } : {}), ...(nickname ? { nickname } : {}) }),
    );
    navigate('home', `Welcome, ${user.displayName || user.username}! Your account is ready and “${credential.nickname}” can sign in.`);
  } catch (error) {
    if (quietly(error)) return announce('Cancelled: no account was created.');
    if (isLatchkeyError(error, 'conflict', 'invalid_request')) return setFieldError(usernameInput, error.message);
    showError(error);
  }
});

// ── The protected page: data from the example API, which verifies the token itself ──────────
const describeMethod = (methods) => {
  const hardware = methods.includes('hwk') ? 'Security key or passkey' : 'Unknown method';
  return methods.includes('mfa') ? `${hardware} with PIN or biometric (multi-factor)` : `${hardware} (presence only)`;
};

const loadProfile = async () => {
  const session = client.getSession();
  if (!session) return;
  $('#home-title').textContent = `Welcome, ${session.user.displayName || session.user.username}`;
  const profile = $('#profile');
  profile.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch('/example-api/profile', { headers: { authorization: `Bearer ${session.accessToken}` } });
    if (response.status === 401) {
      client.signOut();
      return;
    }
    if (!response.ok) throw new Error(`The example API answered HTTP ${response.status}. Reload the page to try again.`);
    const data = await response.json();
    $('#profile-username').textContent = data.user.username;
    $('#profile-team').textContent = data.staff.team;
    $('#profile-office').textContent = data.staff.office;
    $('#profile-holiday').textContent = `${data.staff.holidayDaysLeft} days`;
    $('#profile-signed-in').textContent = formatDateTime(data.signIn.at);
    $('#profile-method').textContent = describeMethod(data.signIn.methods);
    $('#profile-expires').textContent = formatDateTime(data.signIn.tokenExpiresAt);
    profile.removeAttribute('aria-busy');
  } catch (error) {
    showError(error);
  }
};

// ── Page chrome ──────────────────────────────────────────────────────────────────────────────
$('#sign-out').addEventListener('click', () => {
  client.signOut();
  navigate('sign-in', 'You are signed out.');
});
$('#busy-cancel').addEventListener('click', () => cancelBusyWork());
// An alert is about the last attempt; once the person edits the form, it has done its job.
$('#main').addEventListener('input', () => $('#alert').replaceChildren());

// The curl example shows this server's own address.
for (const code of $$('.help pre code')) code.textContent = code.textContent.replaceAll('http://localhost:3000', window.location.origin);

if (!isWebAuthnSupported()) {
  $('#unsupported').hidden = false;
  for (const button of $$('main button')) button.disabled = true;
}

window.addEventListener('hashchange', render);
showSession(client.getSession());
render();
