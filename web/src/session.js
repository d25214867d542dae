// session.js — who is signed in: the user from GET /api/v1/session and its CSRF token.
import { reactive } from 'vue';
import { api, setCsrfToken } from './api.js';

export const session = reactive({
  user: null, // { id, username, display_name, role, role_label, region_code, region_name, department, disabled }
  loaded: false,
});

function accept(s) {
  setCsrfToken(s?.csrf_token);
  session.user = s?.user ?? null;
  session.loaded = true;
}

// Asks the server once per page load (and after sign-in); a 401 just means "nobody".
export async function loadSession() {
  try {
    accept(await api.get('session', undefined, { quiet: true, signIn: true }));
  } catch {
    accept(null);
  }
  return session.user;
}

// Re-reads one's own record; unlike loadSession a 401 here sends the user to sign in.
export async function refreshSession() {
  accept(await api.get('session'));
  return session.user;
}

export async function signIn(username, password) {
  accept(await api.post('session', { username, password }, { quiet: true, signIn: true }));
  return session.user;
}

export async function signOut() {
  try {
    await api.del('session', { quiet: true, signIn: true });
  } finally {
    forget();
  }
}

// The session is gone (expired, signed out, password changed).
export function forget() {
  setCsrfToken('');
  session.user = null;
  session.loaded = true;
}

export function hasRole(...roles) {
  return !!session.user && roles.includes(session.user.role);
}
