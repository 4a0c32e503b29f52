// The "Security keys" page: list (model and last use), add (with step-up), rename, remove.
import { isLatchkeyError } from '/sdk/latchkey.js';
import { $, announce, clearFieldError, clearNotices, formatDate, formatRelative, setBusy, setFieldError, showError, timeElement } from './ui.js';
import { withStepUp } from './step-up.js';

const zeroAaguid = '00000000-0000-0000-0000-000000000000';

/** The model's name when the service knows the AAGUID, else the best plain description. */
export const modelName = (key) => {
  if (key.authenticatorName) return key.authenticatorName;
  if (key.backupEligible) return 'Synced passkey';
  if (key.transports?.includes('internal')) return "This device's built-in authenticator";
  if (key.aaguid === zeroAaguid) return 'Security key (model not shared by the key)';
  return 'Security key (model not recognised)';
};

export const createKeysPage = (client) => {
  const list = $('#key-list');
  const template = $('#key-template');
  let keys = [];

  const render = (focusKeyId) => {
    const current = client.getSession()?.credential.id;
    const items = keys.map((key) => {
      const item = template.content.firstElementChild.cloneNode(true);
      item.dataset.keyId = key.id;
      const headingId = `key-${key.id}`;
      const name = item.querySelector('.key-name');
      name.id = headingId;
      name.textContent = key.nickname;
      item.setAttribute('aria-labelledby', headingId);
      item.querySelector('.key-model').textContent = `Model: ${modelName(key)}`;

      const usage = item.querySelector('.key-usage');
      usage.append(`Added ${formatDate(key.createdAt)} · `);
      if (key.lastUsedAt) usage.append('Last used ', timeElement(key.lastUsedAt, formatRelative(key.lastUsedAt)));
      else usage.append('Not used to sign in yet');
      if (key.id === current) usage.append(' · used for this session');

      for (const label of item.querySelectorAll('.key-label')) label.textContent = ` ${key.nickname}`;
      const renameButton = item.querySelector('.rename');
      const removeButton = item.querySelector('.remove');
      const form = item.querySelector('.rename-form');
      const input = form.querySelector('input');
      input.id = `rename-${key.id}`;
      form.querySelector('.field-error').id = `rename-${key.id}-error`;
      input.setAttribute('aria-describedby', `rename-${key.id}-error`);
      const label = form.querySelector('.rename-label');
      label.htmlFor = input.id;
      label.textContent = `New name for ${key.nickname}`;

      const closeRename = () => {
        form.hidden = true;
        renameButton.hidden = false;
        clearFieldError(input);
        renameButton.focus();
      };
      renameButton.addEventListener('click', () => {
        form.hidden = false;
        renameButton.hidden = true;
        input.value = key.nickname;
        input.focus();
        input.select();
      });
      form.querySelector('.rename-cancel').addEventListener('click', closeRename);
      form.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          closeRename();
        }
      });
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void rename(key, input);
      });
      removeButton.addEventListener('click', () => void remove(key, removeButton));
      return item;
    });

    if (items.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = 'No keys yet. Add one below.';
      items.push(empty);
    }
    list.replaceChildren(...items);
    list.removeAttribute('aria-busy');
    if (focusKeyId) list.querySelector(`[data-key-id="${CSS.escape(focusKeyId)}"] .rename`)?.focus();
  };

  const load = async (focusKeyId) => {
    list.setAttribute('aria-busy', 'true');
    // Oldest first: the order people enrolled them in, stable across renames.
    keys = (await client.listKeys()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    render(focusKeyId);
  };

  const rename = async (key, input) => {
    const nickname = input.value.trim();
    clearNotices();
    if (nickname === '') return setFieldError(input, 'Enter a name for the key, for example “Blue YubiKey”.');
    try {
      const renamed = await client.renameKey(key.id, nickname);
      await load(key.id);
      announce(`Renamed the key to “${renamed.nickname}”.`);
    } catch (error) {
      if (isLatchkeyError(error, 'invalid_request')) return setFieldError(input, error.message);
      showError(error);
    }
  };

  const confirmRemoval = (key, opener) =>
    new Promise((resolve) => {
      const dialog = $('#remove-dialog');
      $('#remove-title').textContent = `Remove “${key.nickname}”?`;
      $('#remove-text').textContent =
        keys.length === 1
          ? 'This is the only key on your account. Without it you cannot sign in until your administrator gives you a new enrollment code.'
          : 'It will no longer be able to sign in to your account. You can enrol it again later.';
      const confirm = $('#remove-confirm');
      const cancel = $('#remove-cancel');
      const done = (result) => {
        confirm.removeEventListener('click', onConfirm);
        cancel.removeEventListener('click', onCancel);
        dialog.removeEventListener('close', onClose);
        if (dialog.open) dialog.close();
        if (!result) opener.focus();
        resolve(result);
      };
      const onConfirm = () => done(true);
      const onCancel = () => done(false);
      const onClose = () => done(false);
      confirm.addEventListener('click', onConfirm);
      cancel.addEventListener('click', onCancel);
      dialog.addEventListener('close', onClose);
      dialog.showModal();
      cancel.focus();
    });

  const remove = async (key, opener) => {
    clearNotices();
    if (!(await confirmRemoval(key, opener))) return;
    try {
      const result = await withStepUp(client, 'remove', () => client.deleteKey(key.id));
      if (!result.done) {
        opener.focus();
        return announce('Nothing was removed.');
      }
      await load();
      $('#keys-title').focus();
      announce(`Removed “${key.nickname}”. It can no longer sign in.`);
    } catch (error) {
      showError(error);
    }
  };

  $('#add-key-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearNotices();
    const input = $('#add-key-nickname');
    const nickname = input.value.trim();
    try {
      const result = await withStepUp(client, 'add', async () => {
        setBusy('Touch the new security key when it blinks…', () => client.abort());
        try {
          return await client.enrol(nickname ? { nickname } : {});
        } finally {
          setBusy(false);
        }
      });
      if (!result.done) return announce('No key was added.');
      input.value = '';
      await load(result.value.credential.id);
      announce(`Added “${result.value.credential.nickname}”. It can sign in to your account now.`);
    } catch (error) {
      showError(error);
    }
  });

  return { load };
};
