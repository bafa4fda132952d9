/**
 * Pointing google-auth-library at the emulator where it has no URL option: its JWT client posts
 * to Google's token URL as a constant. Used by the emulator's e2e tests and by the bench.
 */
import { gaxios } from 'google-auth-library';

/** The token URL google-auth-library's JWT client posts to (and puts in the assertion's `aud`). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/**
 * A gaxios instance (google-auth-library's own copy, so the types match its clients) whose request
 * interceptor sends requests for each URL prefix to its replacement.
 */
export function redirectingTransporter(redirects: Record<string, string>): gaxios.Gaxios {
  const transporter = new gaxios.Gaxios();
  transporter.interceptors.request.add({
    resolved: async (options) => {
      const url = String(options.url);
      for (const [from, to] of Object.entries(redirects)) {
        if (url.startsWith(from)) options.url = new URL(to + url.slice(from.length));
      }
      return options;
    },
  });
  return transporter;
}
