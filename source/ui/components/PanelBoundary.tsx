/**
 * Contains a panel's render error: the panel shows "panel failed: <message>" and everything else
 * keeps drawing (the engine never hears of it). It retries when `resetKey` changes, so a panel that
 * choked on one odd snapshot comes back by itself.
 */
import {Component, type ReactNode} from 'react';
import {Box, Text} from 'ink';
import {sanitize, toAscii, truncate} from '../text.js';

interface Props {
	name: string;
	width: number;
	height: number;
	resetKey: number;
	children: ReactNode;
}

interface State {
	error: Error | null;
	resetKey: number;
}

export class PanelBoundary extends Component<Props, State> {
	override state: State = {error: null, resetKey: this.props.resetKey};

	static getDerivedStateFromError(error: unknown): Partial<State> {
		return {error: error instanceof Error ? error : new Error(String(error))};
	}

	static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
		if (props.resetKey !== state.resetKey) return {error: null, resetKey: props.resetKey};
		return null;
	}

	override render() {
		const {error} = this.state;
		if (!error) return this.props.children;
		const {width, height, name} = this.props;
		return (
			<Box flexDirection="column" width={width} height={height} overflowY="hidden">
				<Text color="red" wrap="truncate">
					{toAscii(truncate(`${name}: panel failed: ${sanitize(error.message)}`, width, '~'))}
				</Text>
				<Text dimColor wrap="truncate">
					{truncate('the run goes on; retrying on later updates', width)}
				</Text>
			</Box>
		);
	}
}
