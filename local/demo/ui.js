// Small accessible-UI helpers for the demo: live regions, field errors, busy state, dates.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

const status = () => $('#status');
const alertRegion = () => $('#alert');

/** Polite announcement (role="status"): progress and success. `visible: false` only speaks it. */
export const announce = (message, { visible = true } = {}) => {
  status().classList.toggle('visually-hidden', !visible);
  status().textContent = message;
};

export const clearNotices = () => {
  status().textContent = '';
  alertRegion().replaceChildren();
};

/**
 * Shows an error in the alert region (announced at once). LatchkeyErrors carry a message for
 * people and a code for programs; the code is shown small, for support conversations.
 */
export const showError = (error) => {
  status().textContent = '';
  const message = document.createElement('p');
  message.id = 'alert-message';
  message.textContent = error?.message || 'Something went wrong. Try again.';
  const parts = [message];
  if (error?.code) {
    const code = document.createElement('p');
    code.className = 'alert-code';
    code.textContent = `Error code: ${error.code}`;
    parts.push(code);
  }
  alertRegion().replaceChildren(...parts);
};

/** Marks a field invalid with a message tied to it through aria-describedby, and focuses it. */
export const setFieldError = (input, message) => {
  const error = document.getElementById(`${input.id}-error`);
  input.setAttribute('aria-invalid', 'true');
  if (error) {
    error.textContent = message;
    error.hidden = false;
  }
  input.focus();
};

export const clearFieldError = (input) => {
  const error = document.getElementById(`${input.id}-error`);
  input.removeAttribute('aria-invalid');
  if (error) {
    error.textContent = '';
    error.hidden = true;
  }
};

let cancelBusy;

/**
 * While a ceremony runs: announce what to do, offer Cancel, and disable the page's other
 * buttons so a second ceremony cannot start on top of it.
 */
export const setBusy = (text, onCancel) => {
  const busy = $('#busy');
  const main = $('#main');
  if (text) {
    $('#busy-text').textContent = text;
    busy.hidden = false;
    // The busy bar shows the prompt; the status region only speaks it.
    announce(text, { visible: false });
    cancelBusy = onCancel;
    main.setAttribute('aria-busy', 'true');
    for (const button of $$('main button')) {
      if (!button.disabled) button.dataset.busyDisabled = 'true';
      button.disabled = true;
    }
  } else {
    // The prompt is over: do not leave "touch your key" on screen.
    if (status().textContent === $('#busy-text').textContent) announce('');
    busy.hidden = true;
    cancelBusy = undefined;
    main.removeAttribute('aria-busy');
    for (const button of $$('main button[data-busy-disabled]')) {
      button.disabled = false;
      delete button.dataset.busyDisabled;
    }
  }
};

export const cancelBusyWork = () => cancelBusy?.();

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const formatDateTime = (iso) => dateTime.format(new Date(iso));
export const formatDate = (iso) => dateOnly.format(new Date(iso));

/** "just now", "5 minutes ago", "yesterday", else the date. */
export const formatRelative = (iso, now = Date.now()) => {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  // A moment slightly ahead of this browser's clock is the server's clock running ahead.
  if (abs < 45 || seconds > 0) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
  return formatDate(iso);
};

/** A <time> element with the exact moment as its tooltip. */
export const timeElement = (iso, text) => {
  const time = document.createElement('time');
  time.dateTime = iso;
  time.title = formatDateTime(iso);
  time.textContent = text;
  return time;
};
