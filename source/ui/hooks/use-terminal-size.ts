/**
 * Terminal size from the stdout Ink renders to. Ink 6 tracks only the width (and not at all when
 * `CI` is set), so the console listens to `resize` itself and reads both `columns` and `rows`.
 */
import {useEffect, useState} from 'react';

export interface TerminalSize {
	columns: number;
	rows: number;
}

export const fallbackSize: TerminalSize = {columns: 80, rows: 24};

type SizedStream = NodeJS.EventEmitter & {columns?: number; rows?: number};

export function readSize(stream: SizedStream): TerminalSize {
	const columns = stream.columns && stream.columns > 0 ? stream.columns : fallbackSize.columns;
	const rows = stream.rows && stream.rows > 0 ? stream.rows : fallbackSize.rows;
	return {columns, rows};
}

export function useTerminalSize(stream: SizedStream): TerminalSize {
	const [size, setSize] = useState<TerminalSize>(() => readSize(stream));
	useEffect(() => {
		const onResize = () => {
			const next = readSize(stream);
			setSize(previous => (previous.columns === next.columns && previous.rows === next.rows ? previous : next));
		};
		stream.on('resize', onResize);
		onResize();
		return () => {
			stream.off('resize', onResize);
		};
	}, [stream]);
	return size;
}
