// The lesson page's terminal renderer: WebGL on a real GPU, the DOM renderer where WebGL would
// be software-emulated or missing, and whatever the address asks for.
import { describe, expect, it } from 'vitest';
import { chooseRenderer, isSoftwareRenderer } from '../../src/components/renderer-choice.ts';

describe('terminal renderer choice', () => {
  it('takes WebGL on a GPU', () => {
    expect(chooseRenderer('', () => 'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)')).toMatchObject({ renderer: 'webgl' });
    expect(chooseRenderer('', () => 'Apple M2')).toMatchObject({ renderer: 'webgl' });
  });

  it('takes the DOM renderer when WebGL is emulated in software or missing', () => {
    const swiftshader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
    expect(chooseRenderer('', () => swiftshader)).toEqual({ renderer: 'dom', reason: `WebGL is emulated in software (${swiftshader})` });
    expect(chooseRenderer('', () => 'llvmpipe (LLVM 15.0.6, 256 bits)').renderer).toBe('dom');
    expect(chooseRenderer('', () => undefined)).toEqual({ renderer: 'dom', reason: 'no WebGL2 in this browser' });
    expect(isSoftwareRenderer('NVIDIA GeForce RTX 3060')).toBe(false);
  });

  it('does what the address asks, without probing', () => {
    const probe = () => {
      throw new Error('must not probe');
    };
    expect(chooseRenderer('?renderer=dom', probe).renderer).toBe('dom');
    expect(chooseRenderer('?x=1&renderer=webgl', probe).renderer).toBe('webgl');
    expect(chooseRenderer('?renderer=bogus', () => 'Apple M2').renderer).toBe('webgl');
  });
});
