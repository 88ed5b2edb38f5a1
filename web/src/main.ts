// Node globals for simple-peer's dependencies must exist before anything imports it.
import './polyfills';
import './components/pc-app';
