/** What every panel needs besides its data: the glyph set (Unicode or ASCII), the terminal size and whether to colour. */
import {createContext, useContext} from 'react';
import {glyphs, type Glyphs} from './glyphs.js';
import {fallbackSize, type TerminalSize} from './hooks/use-terminal-size.js';

export interface UiEnvironment {
	g: Glyphs;
	size: TerminalSize;
	/** Emit SGR colours (off with NO_COLOR, FORCE_COLOR=0, TERM=dumb); symbols carry meaning either way. */
	color: boolean;
}

export const UiEnvironmentContext = createContext<UiEnvironment>({g: glyphs(false), size: fallbackSize, color: true});

export function useUiEnvironment(): UiEnvironment {
	return useContext(UiEnvironmentContext);
}
