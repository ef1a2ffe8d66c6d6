import './app/app-shell';
import { applyTheme } from './app/theme';

applyTheme();
