/** Rendering the page into jsdom for the component tests: mount with a session, click, type, press keys. */
import { act } from 'preact/test-utils';
import type { WebSessionApi } from '../../emulator/app/web-page/core/api';
import { mount } from '../../emulator/app/web-page/ui/boot';

export async function mountPage(api: WebSessionApi | Error): Promise<HTMLElement> {
  document.body.innerHTML = '<div id="app"></div>';
  const root = document.getElementById('app')!;
  await act(async () => {
    await mount(
      root,
      async () => ({ format: 1, file: 'x.yaml', yaml: '', files: {} }),
      async () => {
        if (api instanceof Error) throw api;
        return api;
      },
    );
  });
  return root;
}

export function $(sel: string): HTMLElement {
  const el = document.querySelector(sel);
  if (!el) throw new Error(`no element ${sel}`);
  return el as HTMLElement;
}

export function $$(sel: string): HTMLElement[] {
  return [...document.querySelectorAll(sel)] as HTMLElement[];
}

export function click(sel: string | Element): void {
  const el = typeof sel === 'string' ? $(sel) : sel;
  act(() => {
    el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  });
}

export function key(k: string, target: EventTarget = document.body): void {
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
  });
}

/** Type into an input (fires `input`) and submit its form. */
export function submit(inputSel: string, value: string): void {
  const input = $(inputSel) as HTMLInputElement;
  act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  act(() => {
    input.form!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
}

export function text(sel: string): string {
  return $(sel).textContent ?? '';
}
