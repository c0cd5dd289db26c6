/** Request counts by route and HTTP status, for GET {admin}/stats. */
export class RequestStats {
	private readonly byRoute = new Map<string, Map<number, number>>();
	total = 0;

	record(route: string, status: number): void {
		this.total++;
		let statuses = this.byRoute.get(route);
		if (!statuses) {
			statuses = new Map();
			this.byRoute.set(route, statuses);
		}
		statuses.set(status, (statuses.get(status) ?? 0) + 1);
	}

	snapshot(): Record<string, Record<string, number>> {
		const out: Record<string, Record<string, number>> = {};
		for (const [route, statuses] of this.byRoute) {
			const row: Record<string, number> = {};
			for (const [status, n] of statuses) row[String(status)] = n;
			out[route] = row;
		}
		return out;
	}
}
