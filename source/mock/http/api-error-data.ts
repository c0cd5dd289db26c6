import {ApiError} from './errors.js';

/** A Binance error that carries a `data` object beside code and msg (cancel-replace's partial failures). */
export class ApiErrorWithData extends ApiError {
	constructor(
		code: number,
		msg: string,
		status: number,
		readonly data: unknown,
	) {
		super(code, msg, status);
	}

	override body(): string {
		return JSON.stringify({code: this.code, msg: this.msg, data: this.data});
	}
}
