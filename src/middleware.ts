// Every page Astro renders is HTML in UTF-8: say so in the header (Astro sends a bare
// "text/html", which leaves the charset to the browser's guess before <meta charset> is read).
import { defineMiddleware } from 'astro:middleware';

export const onRequest = defineMiddleware(async (_context, next) => {
  const response = await next();
  if (response.headers.get('content-type') === 'text/html') response.headers.set('content-type', 'text/html; charset=utf-8');
  return response;
});
