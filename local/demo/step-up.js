// Step-up: adding or removing a key needs a recent sign-in. When the service answers 403
// `reauthentication_required`, ask the person to confirm with a key they already have, then retry.
import { isLatchkeyError } from '/sdk/latchkey.js';
import { $ } from './ui.js';

const texts = {
  add: {
    ask: 'Adding a key needs a recent sign-in. First confirm with a key that is already on your account.',
    next: 'Confirmed. Now insert the new key you want to add, then select Continue and touch it when it blinks.',
  },
  remove: {
    ask: 'Removing a key needs a recent sign-in. Confirm with a key that is already on your account.',
  },
};

/**
 * Opens the dialog and resolves true once the person has signed in again (and, when adding,
 * has the new key ready), or false if they cancel. Only one key ceremony runs at a time: the
 * dialog is modal, and its Cancel aborts a running one.
 */
const confirmIdentity = (client, purpose) =>
  new Promise((resolve) => {
    const dialog = $('#step-up-dialog');
    const text = $('#step-up-text');
    const progress = $('#step-up-progress');
    const error = $('#step-up-error');
    const confirm = $('#step-up-confirm');
    const cancel = $('#step-up-cancel');
    const opener = document.activeElement;
    let phase = 'ask';
    let running = false;

    text.textContent = texts[purpose].ask;
    progress.textContent = '';
    error.textContent = '';
    confirm.textContent = 'Confirm with my security key';
    confirm.disabled = false;

    const finish = (result) => {
      confirm.removeEventListener('click', onConfirm);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onEscape);
      if (dialog.open) dialog.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(result);
    };

    const onConfirm = async () => {
      if (phase === 'ready') return finish(true);
      if (running) return;
      running = true;
      confirm.disabled = true;
      error.textContent = '';
      progress.textContent = 'Touch a key that is already on your account…';
      try {
        const username = client.getSession()?.user.username;
        await client.signIn(username ? { username } : {});
        progress.textContent = '';
        if (!texts[purpose].next) return finish(true);
        phase = 'ready';
        text.textContent = texts[purpose].next;
        confirm.textContent = 'Continue';
        confirm.disabled = false;
        confirm.focus();
      } catch (failure) {
        progress.textContent = '';
        confirm.disabled = false;
        if (isLatchkeyError(failure, 'aborted')) return;
        error.textContent = failure.message;
        confirm.focus();
      } finally {
        running = false;
      }
    };
    const onCancel = () => {
      if (running) client.abort();
      finish(false);
    };
    const onEscape = (event) => {
      event.preventDefault();
      onCancel();
    };

    confirm.addEventListener('click', onConfirm);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onEscape);
    dialog.showModal();
    confirm.focus();
  });

/**
 * Runs `action`; on `reauthentication_required` asks the person to confirm it is them and runs
 * it once more. Resolves `{ done: false }` when they cancel.
 */
export const withStepUp = async (client, purpose, action) => {
  try {
    return { done: true, value: await action() };
  } catch (error) {
    if (!isLatchkeyError(error, 'reauthentication_required')) throw error;
    if (!(await confirmIdentity(client, purpose))) return { done: false };
    return { done: true, value: await action() };
  }
};
