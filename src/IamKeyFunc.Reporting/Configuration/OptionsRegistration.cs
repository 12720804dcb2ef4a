using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// The one way an <c>IamKey:*</c> section is bound and validated. Every part's <c>Add…</c> method asks for the sections
/// it needs; asking twice registers nothing more, so each section is bound once and each failure reported once.
/// </summary>
public static class OptionsRegistration
{
    /// <summary>
    /// Binds <paramref name="sectionName"/> into <typeparamref name="T"/> with <see cref="CheckedBinding{T}"/> (a value
    /// that does not convert, or a key <typeparamref name="T"/> does not have, is a failure naming the setting, not an
    /// exception or a default), validates its data annotations and <typeparamref name="TValidator"/>'s cross-field
    /// rules, all at start. Each section is registered once; a parent section (<c>IamKey</c>) knows the names of the
    /// sections registered below it, so only keys that no section binds are unknown.
    /// </summary>
    public static OptionsBuilder<T> AddOptionsSection<T, TValidator>(this IServiceCollection services, IConfiguration configuration, string sectionName)
        where T : class
        where TValidator : class, IValidateOptions<T>
    {
        var builder = services.AddOptionsSection<T>(configuration, sectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, TValidator>());
        return builder;
    }

    /// <inheritdoc cref="AddOptionsSection{T, TValidator}"/>
    public static OptionsBuilder<T> AddOptionsSection<T>(this IServiceCollection services, IConfiguration configuration, string sectionName)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<T>();
        if (services.Any(d => d.ServiceType == typeof(BoundSection) && d.ImplementationInstance is BoundSection { Path: var path }
            && string.Equals(path, sectionName, StringComparison.OrdinalIgnoreCase)))
        {
            return builder;
        }

        services.AddSingleton(new BoundSection(sectionName));
        services.AddSingleton<IConfigureOptions<T>>(provider => new CheckedBinding<T>(configuration, sectionName, provider.GetServices<BoundSection>()));
        services.AddSingleton<IValidateOptions<T>, BindingProblemsValidator<T>>();
        services.AddSingleton<IValidateOptions<T>>(new SettingAnnotationsValidator<T>(sectionName));
        return builder.ValidateOnStart();
    }
}
