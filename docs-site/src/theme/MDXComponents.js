// Makes <Status kind="built|building|planned" /> available in every page without an import.
import MDXComponents from '@theme-original/MDXComponents';
import Status from '@site/src/components/Status';

export default { ...MDXComponents, Status };
