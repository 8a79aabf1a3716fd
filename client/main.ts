/** Entry: create the app, install Pinia, register the service worker. */
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { startBoot } from './boot';
import { useAppUpdateStore } from './stores/app-update';
import './styles.css';
import { trackVisualViewport } from './io/viewport';

startBoot();
trackVisualViewport();
const app = createApp(App);
app.use(createPinia());
app.mount('#app');
useAppUpdateStore().register();
