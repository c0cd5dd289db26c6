/**
 * Stock reservation against the example inventory API (examples/inventory-api/server.ts):
 * log in at start, refresh the access token before it expires, browse the paginated product list,
 * check availability, reserve 1–100 units. Weights 3/2/1. "Out of stock" (409) is a correct answer
 * from the API, so it is expected, not a failure.
 *
 *   npx tsx examples/inventory-api/server.ts --port 8000 &
 *   drydock load examples/inventory-reserve.scenario.ts --users 50 --spawn-rate 10 --run-time 1m
 */
import type {LoadUser, Scenario} from '../source/load/index.js';

interface State extends Record<string, unknown> {
	access: string;
	refresh: string;
	/** ms epoch after which the access token should be renewed. */
	renewAt: number;
	pages: number;
	ids: number[];
}

type User = LoadUser<State>;

const random = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

/** Renew ahead of expiry: 20% of the lifetime early, at most 5 s. */
function keep(user: User, access: string, expiresIn: number): void {
	user.state.access = access;
	user.state.renewAt = Date.now() + expiresIn * 1000 - Math.min(5000, expiresIn * 200);
}

async function authHeaders(user: User): Promise<Record<string, string>> {
	if (Date.now() >= user.state.renewAt) {
		const res = await user.post('/api/auth/refresh', {json: {refresh: user.state.refresh}, name: '/api/auth/refresh'});
		if (res.ok) {
			const body = res.json<{access: string; expires_in: number}>();
			keep(user, body.access, body.expires_in);
		}
	}
	return {authorization: `Bearer ${user.state.access}`};
}

export default {
	host: 'http://127.0.0.1:8000',
	wait: {between: [0.5, 2]},
	async onStart(user) {
		const res = await user.post('/api/auth/login', {
			json: {username: `user${user.id % 10_000}`, password: 'password'},
			name: '/api/auth/login',
		});
		if (!res.ok) throw new Error(`login failed with ${res.status}`);
		const body = res.json<{access: string; refresh: string; expires_in: number}>();
		user.state.refresh = body.refresh;
		keep(user, body.access, body.expires_in);
		user.state.pages = 1;
		user.state.ids = [];
	},
	tasks: [
		{
			name: 'browse products',
			weight: 3,
			async run(user) {
				const page = random(1, user.state.pages);
				const res = await user.get(`/api/products/?page=${page}`, {
					headers: await authHeaders(user),
					name: '/api/products/?page=[n]',
				});
				if (!res.ok) return;
				const body = res.json<{pages: number; results: Array<{id: number}>}>();
				user.state.pages = body.pages;
				user.state.ids = body.results.map(product => product.id);
			},
		},
		{
			name: 'check availability',
			weight: 2,
			async run(user) {
				const id = user.state.ids[random(0, user.state.ids.length - 1)] ?? 1;
				await user.get(`/api/products/${id}/availability`, {
					headers: await authHeaders(user),
					name: '/api/products/[id]/availability',
				});
			},
		},
		{
			name: 'reserve',
			weight: 1,
			async run(user) {
				const id = user.state.ids[random(0, user.state.ids.length - 1)] ?? 1;
				const res = await user.post(`/api/products/${id}/reserve`, {
					json: {quantity: random(1, 100)},
					headers: await authHeaders(user),
					name: '/api/products/[id]/reserve',
					expect: [201, 409],
				});
				// 409 is only a correct outcome when it says "out of stock".
				if (res.status === 409 && res.json<{error?: string}>().error !== 'out_of_stock')
					user.fail(`409 without out_of_stock: ${res.text()}`);
			},
		},
	],
} satisfies Scenario<State>;
