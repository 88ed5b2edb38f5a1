/**
 * The installable-app side of Peerchat: service worker registration, the install offer, and
 * content shared to the app. Imported once from main.ts; pc-app shows their state (update
 * prompt, install button, share panel).
 */
import { startServiceWorker } from './pwa-register';
import { shareIntake } from './share-intake';
import './install-prompt';

startServiceWorker();
shareIntake.start().catch((err: unknown) => console.warn('Peerchat: shared content could not be picked up', err));
