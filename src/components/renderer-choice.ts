// Which xterm renderer a page uses. WebGL draws on the GPU and is by far the fastest — but a
// browser without a usable GPU emulates WebGL in software (SwiftShader, llvmpipe), and then
// xterm's DOM renderer is faster: in headless chromium on a 2-core machine, a `yes` flood went
// through at 1.3 MB/s with software WebGL and 1.8 MB/s with the DOM (bench/terminal-bridge.ts).
// ?renderer=webgl or ?renderer=dom overrides the choice (broken drivers, comparisons).

export type RendererChoice = { renderer: 'webgl' | 'dom'; reason: string };

const SOFTWARE_GL = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

export const isSoftwareRenderer = (name: string): boolean => SOFTWARE_GL.test(name);

/** The GL renderer's name as the driver reports it, or undefined when there is no WebGL2. */
export function webglRendererName(): string | undefined {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext(); // browsers cap live contexts: give the probe's back
  return name;
}

export function chooseRenderer(search: string, rendererName: () => string | undefined = webglRendererName): RendererChoice {
  const asked = new URLSearchParams(search).get('renderer');
  if (asked === 'dom' || asked === 'webgl') return { renderer: asked, reason: 'asked for in the address' };
  const name = rendererName();
  if (name === undefined) return { renderer: 'dom', reason: 'no WebGL2 in this browser' };
  if (isSoftwareRenderer(name)) return { renderer: 'dom', reason: `WebGL is emulated in software (${name})` };
  return { renderer: 'webgl', reason: `GPU: ${name}` };
}
