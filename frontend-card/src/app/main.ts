/** Entry point of the ingress UI bundle. */
import './ls-app.js';
