// The page's token (signed into the page by the server), shared by the terminal and the Check
// buttons, and renewed from /api/page-token when the server stops accepting it (it restarted
// with a new key, or the token outlived its lifetime) — so an open tab recovers by itself.
let current = document.querySelector<HTMLElement>('[data-token]')?.dataset.token ?? '';
let renewing: Promise<string> | undefined;

export const pageToken = (): string => current;

export function renewPageToken(): Promise<string> {
  renewing ??= fetch('/api/page-token', { headers: { accept: 'application/json' }, cache: 'no-store' })
    .then(async (response) => {
      if (response.ok) current = ((await response.json()) as { token: string }).token;
      return current;
    })
    .finally(() => {
      renewing = undefined;
    });
  return renewing;
}
