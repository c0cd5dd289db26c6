/** A Binance error reply: HTTP status plus the `{code, msg}` body. Thrown inside handlers, caught by the server. */
export class ApiError extends Error {
	constructor(
		readonly code: number,
		readonly msg: string,
		readonly status = 400,
	) {
		super(msg);
	}

	body(): string {
		return JSON.stringify({code: this.code, msg: this.msg});
	}
}

export const errors = {
	missing: (name: string) =>
		new ApiError(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
	illegal: (name: string, range: string) =>
		new ApiError(-1100, `Illegal characters found in parameter '${name}'; legal range is '${range}'.`),
	outOfRange: (name: string) =>
		new ApiError(-1100, `Illegal characters found in parameter '${name}'; legal range is within its limits.`),
	tooMuchPrecision: (name: string) => new ApiError(-1111, `Parameter '${name}' has too much precision.`),
	duplicate: () => new ApiError(-1101, 'Duplicate values for a parameter detected.'),
	notAllRead: (read: number, sent: number) =>
		new ApiError(-1104, `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${sent}'.`),
	notRequired: (name: string) => new ApiError(-1106, `Parameter '${name}' sent when not required.`),
	badSymbol: () => new ApiError(-1121, 'Invalid symbol.'),
	badInterval: () => new ApiError(-1120, 'Invalid interval.'),
	badSide: () => new ApiError(-1117, 'Invalid side.'),
	badType: () => new ApiError(-1116, 'Invalid orderType.'),
	badTif: () => new ApiError(-1115, 'Invalid timeInForce.'),
	badRespType: () =>
		new ApiError(
			-1100,
			"Illegal characters found in parameter 'newOrderRespType'; legal range is 'ACK, RESULT, FULL'.",
		),
	apiKeyFormat: () => new ApiError(-2014, 'API-key format invalid.', 401),
	apiKeyUnknown: () => new ApiError(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
	badSignature: () => new ApiError(-1022, 'Signature for this request is not valid.'),
	outsideRecvWindow: () => new ApiError(-1021, 'Timestamp for this request is outside of the recvWindow.'),
	aheadOfServer: () => new ApiError(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
	badRecvWindow: () => new ApiError(-1131, 'recvWindow must be less than 60000'),
	notFound: (method: string, path: string) =>
		new ApiError(-1000, `Unknown endpoint: ${method} ${path.slice(0, 100)}`, 404),
	badMethod: (method: string) =>
		new ApiError(-1020, `This operation is not supported: method ${method.slice(0, 20)} on this path.`, 405),
	tooLarge: (limit: number) => new ApiError(-1000, `Request body is larger than ${limit} bytes.`, 413),
	malformed: (what: string) => new ApiError(-1000, `Malformed request: ${what}.`),
};
