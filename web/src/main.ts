// Node globals for simple-peer's dependencies must exist before anything imports it.
import './polyfills';
import './components/pc-app';
// Service worker, update prompt, install offer, shared content (the installable-app side).
import './pwa/index';
