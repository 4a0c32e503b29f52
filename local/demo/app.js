// Latchkey local demo: self sign-up, usernameless and username-first sign-in, key management.
// The access token lives only in memory: reloading the page signs you out.
const { startRegistration, startAuthentication } = window.SimpleWebAuthnBrowser;

let session = null; // { accessToken, user }

const $ = (selector) => document.querySelector(selector);

const say = (message, kind = 'ok') => {
  const status = $('#status');
  status.textContent = message;
  status.className = kind;
};

class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title);
    this.code = problem.code;
    this.status = problem.status;
  }
}

const api = async (method, path, body, token) => {
  const response = await fetch(path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined;
  const payload = await response.json();
  if (!response.ok) throw new ApiError(payload);
  return payload;
};

const explain = (error) => {
  if (error instanceof ApiError) return error.message;
  if (error && error.name === 'NotAllowedError') return 'The request was cancelled or timed out. Try again.';
  if (error && error.name === 'InvalidStateError') return 'This key is already enrolled on this account.';
  return `Something went wrong: ${error && error.message ? error.message : error}`;
};

const enrol = async (optionsBody, token) => {
  const { options } = await api('POST', '/v1/registration/options', optionsBody, token);
  const response = await startRegistration({ optionsJSON: options });
  return api('POST', '/v1/registration/verify', { response });
};

const signIn = async (username) => {
  const { options } = await api('POST', '/v1/authentication/options', username ? { username } : {});
  const response = await startAuthentication({ optionsJSON: options });
  return api('POST', '/v1/authentication/verify', { response });
};

const showSignedIn = async (result) => {
  session = { accessToken: result.accessToken, user: result.user };
  $('#signed-out').hidden = true;
  $('#signed-in').hidden = false;
  $('#account-name').textContent = result.user.displayName || result.user.username;
  await renderKeys();
  $('#account-heading').focus?.();
};

const renderKeys = async () => {
  const { credentials } = await api('GET', '/v1/credentials', undefined, session.accessToken);
  const list = $('#keys');
  list.replaceChildren();
  for (const credential of credentials) {
    const item = $('#key-template').content.firstElementChild.cloneNode(true);
    item.dataset.credentialId = credential.id;
    item.querySelector('.key-name').textContent = credential.nickname;
    const lastUsed = credential.lastUsedAt ? `last used ${new Date(credential.lastUsedAt).toLocaleString()}` : 'never used to sign in';
    item.querySelector('.key-meta').textContent =
      `${credential.authenticatorName ?? (credential.backupEligible ? 'Passkey' : 'Security key')} · added ${new Date(credential.createdAt).toLocaleDateString()} · ${lastUsed}`;
    const input = item.querySelector('input');
    const inputId = `rename-${credential.id}`;
    input.id = inputId;
    input.value = credential.nickname;
    item.querySelector('label').htmlFor = inputId;
    item.querySelector('.rename-form').addEventListener('submit', (event) => {
      event.preventDefault();
      run(async () => {
        await api('PATCH', `/v1/credentials/${credential.id}`, { nickname: input.value }, session.accessToken);
        await renderKeys();
        say(`Renamed to "${input.value}".`);
      });
    });
    const remove = item.querySelector('.delete');
    remove.setAttribute('aria-label', `Remove ${credential.nickname}`);
    remove.addEventListener('click', () =>
      run(async () => {
        await api('DELETE', `/v1/credentials/${credential.id}`, undefined, session.accessToken);
        await renderKeys();
        say(`Removed "${credential.nickname}". It can no longer sign in.`);
      }),
    );
    list.append(item);
  }
};

const run = async (action) => {
  try {
    await action();
  } catch (error) {
    say(explain(error), 'error');
  }
};

$('#signup-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const username = $('#signup-username').value.trim();
  const displayName = $('#signup-display-name').value.trim();
  run(async () => {
    const result = await enrol({ username, ...(displayName ? { displayName } : {}) });
    await showSignedIn(result);
    say(`Welcome, ${result.user.displayName}! Your key is enrolled.`);
  });
});

$('#signin-usernameless').addEventListener('click', () =>
  run(async () => {
    const result = await signIn();
    await showSignedIn(result);
    say(`Signed in as ${result.user.username}.`);
  }),
);

$('#signin-username-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const result = await signIn($('#signin-username').value.trim());
    await showSignedIn(result);
    say(`Signed in as ${result.user.username}.`);
  });
});

$('#add-key').addEventListener('click', () =>
  run(async () => {
    try {
      await enrol({}, session.accessToken);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'reauthentication_required')) throw error;
      say('Please confirm it is you with a key you already have.');
      const fresh = await signIn(session.user.username);
      session.accessToken = fresh.accessToken;
      await enrol({}, session.accessToken);
    }
    await renderKeys();
    say('Added a new key.');
  }),
);

$('#sign-out').addEventListener('click', () => {
  session = null;
  $('#signed-in').hidden = true;
  $('#signed-out').hidden = false;
  say('Signed out.');
});
