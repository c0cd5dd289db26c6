import {accountRoutes} from './account-routes.js';
import {marketRoutes} from './market-routes.js';
import {orderListRoutes} from './order-list-routes.js';
import type {Route} from './route.js';
import {tradeRoutes} from './trade-routes.js';

/** Every REST route by `METHOD /path`: the one table both transports serve (REST and the WebSocket API). */
export const routes = new Map<string, Route>(
	Object.entries({...marketRoutes, ...tradeRoutes, ...orderListRoutes, ...accountRoutes}),
);
