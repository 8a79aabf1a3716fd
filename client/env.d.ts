/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/vanillajs" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface ImportMetaEnv {
  /** At most this many sent messages per room stay on the device (default 1000; client/logic/storage-bound.ts). */
  readonly VITE_ROOM_MESSAGE_LIMIT?: string;
}
