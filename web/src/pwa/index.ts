/**
 * The installable-app side of Peerchat: service worker registration and update prompt, the
 * install offer, and content shared to the app. Imported once from main.ts.
 */
import { startServiceWorker } from './pwa-register';
import { shareIntake } from './share-intake';
import './install-prompt';
import './pc-update-prompt';

startServiceWorker();
void shareIntake.start();

const prompt = document.createElement('pc-update-prompt');
document.body.append(prompt);
