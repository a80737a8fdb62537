import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Environment } from './api';

/** The environment the partner is looking at; every query key starts with it, so two environments never share a cache entry. */
export const EnvContext = createContext<Environment>('staging');
export const useEnvironment = () => useContext(EnvContext);
