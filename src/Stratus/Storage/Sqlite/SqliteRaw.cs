using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Stratus.Storage.Sqlite;

/// <summary>
/// Binding through SQLite's own interface, for the tables that take a row per invocation: one
/// prepared statement per batch and no boxed parameter object per value.
/// </summary>
internal static class SqliteRaw
{
    /// <summary>Texts up to this many UTF-8 bytes are encoded on the stack (SQLite copies them).</summary>
    private const int StackBytes = 1024;

    public static sqlite3_stmt Prepare(SqliteConnection connection, string sql)
    {
        var database = connection.Handle!;
        Check(database, raw.sqlite3_prepare_v2(database, sql, out var statement));
        return statement;
    }

    public static void BindText(sqlite3_stmt statement, int index, string text)
    {
        var length = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> utf8 = length <= StackBytes ? stackalloc byte[length] : new byte[length];
        raw.sqlite3_bind_text(statement, index, utf8[..System.Text.Encoding.UTF8.GetBytes(text, utf8)]);
    }

    /// <summary>Runs a bound insert and makes the statement ready for the next row.</summary>
    public static void Step(SqliteConnection connection, sqlite3_stmt statement)
    {
        var step = raw.sqlite3_step(statement);
        if (step != raw.SQLITE_DONE)
        {
            Check(connection.Handle!, step);
        }

        raw.sqlite3_reset(statement);
    }

    private static void Check(sqlite3 database, int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(database).utf8_to_string(), result);
        }
    }
}
