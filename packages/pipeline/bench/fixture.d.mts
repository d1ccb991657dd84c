export declare const CONNECTION_ARN: string;
export declare function commitRepo(dir: string, files: Record<string, string>): void;
export declare function testPipeline(
  lib: {
    createEnvironmentRegistry: typeof import("../src/environments.js").createEnvironmentRegistry;
    parseGitHubRepo: typeof import("../src/repo.js").parseGitHubRepo;
    pipelineTemplate: typeof import("../src/template.js").pipelineTemplate;
  },
  name: string,
  buildspec: string,
): ReturnType<typeof import("../src/template.js").pipelineTemplate>;
