// Astro builds the lesson site; src/server/ (a plain Node http server) mounts the built handler
// and owns the terminal WebSocket, the API and static files.
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';
import { codeBlockTransformer } from './src/content/code-block-transformer.ts';

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  devToolbar: { enabled: false },
  prefetch: false,
  markdown: {
    shikiConfig: {
      themes: { light: 'github-light', dark: 'github-dark-dimmed' },
      defaultColor: false,
      wrap: false,
      transformers: [codeBlockTransformer()],
    },
  },
  vite: {
    build: { chunkSizeWarningLimit: 1200 },
  },
});
