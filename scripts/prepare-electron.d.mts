// Types for the test that imports prepare-electron.mjs's decisions.

export declare const NATIVE_COPY: string

export declare function readModuleAbi(file: string): number | undefined

export interface PreparationFacts {
  electronVersion?: string
  binaryPresent: boolean
  nativeAbi?: number
  electronAbi?: number
  env: NodeJS.ProcessEnv
}

export type Preparation =
  | { done: string; steps?: undefined }
  | { done?: undefined; steps: { binary: boolean; native: boolean } }

export declare function planPreparation(facts: PreparationFacts): Preparation
