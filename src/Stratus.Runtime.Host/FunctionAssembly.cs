using System.Reflection;
using System.Runtime.Loader;

namespace Stratus.Runtime.Host;

/// <summary>
/// Loads the function's published assembly and lets its dependencies resolve from its own
/// <c>.deps.json</c>. Everything the host already has (the framework, Stratus.Runtime) is used as is,
/// so the function and the host share one <see cref="ILambdaContext"/> type.
/// </summary>
internal static class FunctionAssembly
{
    public static Assembly Load(string taskRoot, string name)
    {
        var path = Path.Combine(taskRoot, name + ".dll");
        if (!File.Exists(path))
        {
            throw new HandlerLoadException($"Could not find the assembly '{name}.dll' of the handler in the function's code");
        }

        var resolver = new AssemblyDependencyResolver(path);
        AssemblyLoadContext.Default.Resolving += (context, assemblyName) =>
            resolver.ResolveAssemblyToPath(assemblyName) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, library) =>
            resolver.ResolveUnmanagedDllToPath(library) is { } native ? System.Runtime.InteropServices.NativeLibrary.Load(native) : IntPtr.Zero;
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        }
        catch (BadImageFormatException ex)
        {
            throw new HandlerLoadException($"'{name}.dll' is not a .NET assembly: {ex.Message}", ex);
        }
    }
}
