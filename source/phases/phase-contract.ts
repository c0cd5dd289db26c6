/**
 * The phase-side names for the engine's generic contract, bound to our services bag and the profile.
 */
import type {PhaseContext, PhaseDefinition} from '../engine/phase-definition.js';
import type {Profile} from '../profiles/schema.js';
import type {PhaseServices} from './services.js';

export type PhaseCtx = PhaseContext<PhaseServices, Profile>;
export type Phase = PhaseDefinition<PhaseServices, Profile>;
