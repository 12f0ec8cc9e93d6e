/** The proxy's admin HTTP server (metrics, readiness). */
export { createAdminServer, type AdminServer } from './admin-server.js';
