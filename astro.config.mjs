// Astro builds the lesson site; src/server/ (a plain Node http server) mounts the built handler
// and owns the terminal WebSocket, the API and static files.
import { satteri } from '@astrojs/markdown-satteri';
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';
import { fileURLToPath } from 'node:url';
import { cjkFriendlyEmphasis } from './src/content/cjk-emphasis.ts';
import { codeBlockTransformer } from './src/content/code-block-transformer.ts';
import { lessonChecks } from './src/content/lesson-checks.ts';

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  integrations: [lessonChecks(fileURLToPath(new URL('./content', import.meta.url)))],
  devToolbar: { enabled: false },
  prefetch: false,
  markdown: {
    // Sätteri (Astro's default engine) with CJK-friendly emphasis: `**차트(chart)**는` is bold.
    processor: satteri({ mdastPlugins: [cjkFriendlyEmphasis()] }),
    shikiConfig: {
      themes: { light: 'github-light', dark: 'github-dark-dimmed' },
      defaultColor: false,
      wrap: false,
      transformers: [codeBlockTransformer()],
    },
  },
  vite: {
    build: {
      chunkSizeWarningLimit: 1200,
      // Scripts are never inlined into pages: the server's CSP allows scripts from this origin only.
      assetsInlineLimit: (file) => (file.endsWith('.js') ? false : undefined),
    },
  },
});
