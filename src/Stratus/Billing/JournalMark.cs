namespace Stratus.Billing;

/// <summary>Journal file <see cref="File"/> is imported up to (not including) slot <see cref="Slots"/>.</summary>
public readonly record struct JournalMark(long File, int Slots);
