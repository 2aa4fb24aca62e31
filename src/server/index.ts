export { startServer, type RunningServer } from './start-server.js';
export { DEFAULTS, checkConfig, parseListen, isLoopback, type ServerConfig } from './config.js';
