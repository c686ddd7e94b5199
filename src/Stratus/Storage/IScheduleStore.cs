using Stratus.Events;

namespace Stratus.Storage;

/// <summary>Durable schedules and the last tick each has fired.</summary>
public interface IScheduleStore
{
    IReadOnlyList<StoredSchedule> LoadAll();

    /// <summary>Creates or replaces a schedule's definition; a replaced schedule keeps its last firing.</summary>
    void Put(ScheduleDefinition schedule);

    bool Delete(string name);

    /// <summary>Stores the ticks fired in one pass, in one transaction.</summary>
    void RecordFirings(IReadOnlyList<ScheduleFiring> firings);
}
