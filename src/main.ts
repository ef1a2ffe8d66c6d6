import './app/app-shell';
import { applyTheme } from './app/theme';
import { registerServiceWorker } from './sw/register';

applyTheme();
// The offline copy exists only for production builds (dist/sw.js); the dev server has none.
if (import.meta.env.PROD) void registerServiceWorker();
