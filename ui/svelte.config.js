// Svelte compiler options: TypeScript in <script lang="ts"> needs no preprocessor in Svelte 5.
export default {};
