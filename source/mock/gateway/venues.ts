/** Binance spot's public endpoints for the gateway's `upstream`, as source/runtime/create.ts names them for ccxt (plus the WebSocket API). */
export const GATEWAY_UPSTREAMS = {
	testnet: {
		rest: 'https://testnet.binance.vision',
		ws: 'wss://stream.testnet.binance.vision',
		wsApi: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
	},
	mainnet: {
		rest: 'https://api.binance.com',
		ws: 'wss://stream.binance.com:9443',
		wsApi: 'wss://ws-api.binance.com:443/ws-api/v3',
	},
} as const satisfies Record<string, {rest: string; ws: string; wsApi: string}>;
