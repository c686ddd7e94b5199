using Stratus.Cli;

return await CliApp.RunAsync(args);
