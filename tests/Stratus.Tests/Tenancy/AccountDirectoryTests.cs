using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Stratus.Storage.Sqlite;
using Stratus.Tenancy;

namespace Stratus.Tests.Tenancy;

/// <summary>The account store and directory on a real SQLite file: sealing at rest, master key checks, the secret look-up.</summary>
public sealed class AccountDirectoryTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("stratus-accounts-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public void CreateKey_SecretStoredSealed_NotInTheDatabaseFileBytes()
    {
        string secret;
        using (var directory = Open())
        {
            var account = directory.CreateAccount("tenant-a", AccountQuotas.None);
            secret = directory.CreateKey(account.Id).Secret;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var bytes = Directory.GetFiles(_data, "stratus.db*").SelectMany(File.ReadAllBytes).ToArray();
        Assert.Equal(40, secret.Length);
        Assert.True(bytes.Length > 0);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret[..20])));
    }

    [Fact]
    public void Open_CreatesMasterKeyFileWith0600()
    {
        using var directory = Open();

        var path = Path.Combine(_data, MasterKey.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(path).Trim()).Length);
    }

    [Fact]
    public void Open_WithAnotherMasterKey_FailsWithAClearMessageAndNoSecret()
    {
        string secret;
        using (var directory = Open())
        {
            secret = directory.CreateKey(directory.CreateAccount("a", AccountQuotas.None).Id).Secret;
        }

        var other = Convert.ToBase64String(new byte[32]);
        var error = Assert.Throws<TenancyStartupException>(() => Open(other));

        Assert.Contains("master key is not the one", error.Message);
        Assert.DoesNotContain(secret, error.Message);
        Assert.DoesNotContain(other, error.Message);
    }

    [Fact]
    public void Open_MasterKeyFileLostWhileSecretsExist_FailsInsteadOfMakingANewKey()
    {
        using (var directory = Open())
        {
            directory.CreateKey(directory.CreateAccount("a", AccountQuotas.None).Id);
        }

        File.Delete(Path.Combine(_data, MasterKey.FileName));
        var error = Assert.Throws<TenancyStartupException>(() => Open());

        Assert.Contains("master key is missing", error.Message);
        Assert.False(File.Exists(Path.Combine(_data, MasterKey.FileName)));
    }

    [Fact]
    public void Open_ConfiguredMasterKey_OpensWhatItSealedAfterRestart()
    {
        var key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        NewAccessKey created;
        using (var directory = Open(key))
        {
            created = directory.CreateKey(directory.CreateAccount("a", AccountQuotas.None).Id);
        }

        using var reopened = Open(key);

        Assert.False(File.Exists(Path.Combine(_data, MasterKey.FileName)));
        Assert.True(reopened.TryGetSecret(created.Key.Id, out var secret, out var account));
        Assert.Equal(created.Secret, secret);
        Assert.Equal(created.Key.AccountId, account);
    }

    [Fact]
    public void TryGetSecret_DisabledAccountInactiveOrDeletedKey_ReturnsNothing()
    {
        using var directory = Open();
        var account = directory.CreateAccount("tenant", new AccountQuotas(10, 5, 1_000_000));
        var first = directory.CreateKey(account.Id);
        var second = directory.CreateKey(account.Id);

        Assert.True(directory.TryGetSecret(first.Key.Id, out var secret, out var owner));
        Assert.Equal(first.Secret, secret);
        Assert.Equal(account.Id, owner);
        directory.SetAccountStatus(account.Id, AccountStatus.Disabled);
        Assert.False(directory.TryGetSecret(first.Key.Id, out _, out _));
        Assert.False(directory.TryGetSecret(second.Key.Id, out _, out _));
        directory.SetAccountStatus(account.Id, AccountStatus.Active);
        Assert.True(directory.TryGetSecret(first.Key.Id, out _, out _));
        directory.SetKeyStatus(account.Id, first.Key.Id, AccessKeyStatus.Inactive);
        Assert.False(directory.TryGetSecret(first.Key.Id, out _, out _));
        Assert.True(directory.TryGetSecret(second.Key.Id, out _, out _));
        directory.DeleteKey(account.Id, second.Key.Id);
        Assert.False(directory.TryGetSecret(second.Key.Id, out _, out _));
        Assert.False(directory.TryGetSecret("AKIAUNKNOWNUNKNOWN00", out _, out _));
        Assert.Equal(new AccountQuotas(10, 5, 1_000_000), directory.GetAccount(account.Id).Quotas);
    }

    [Fact]
    public void CreateKey_ShapesAndLimits_AsAws()
    {
        using var directory = Open();
        var account = directory.CreateAccount("tenant", AccountQuotas.None);
        var key = directory.CreateKey(account.Id);
        directory.CreateKey(account.Id);

        Assert.Matches("^[0-9]{12}$", account.Id);
        Assert.Matches("^AKIA[A-Z2-7]{16}$", key.Key.Id);
        Assert.Matches("^[A-Za-z0-9+/]{40}$", key.Secret);
        Assert.Equal(_time.GetUtcNow(), key.Key.Created);
        Assert.DoesNotContain(key.Secret, key.ToString());
        Assert.Equal(409, Assert.Throws<Stratus.Api.LambdaException>(() => directory.CreateKey(account.Id)).StatusCode);
        Assert.Equal(409, Assert.Throws<Stratus.Api.LambdaException>(() => directory.CreateAccount("tenant", AccountQuotas.None)).StatusCode);
        Assert.Equal(400, Assert.Throws<Stratus.Api.LambdaException>(() => directory.CreateAccount(new string('a', 65), AccountQuotas.None)).StatusCode);
        Assert.Equal(400, Assert.Throws<Stratus.Api.LambdaException>(() => directory.CreateAccount("b", new AccountQuotas(0, null, null))).StatusCode);
    }

    private AccountDirectory Open(string? masterKey = null) =>
        AccountDirectory.Open(new SqliteAccountStore(new SqliteDatabase(Path.Combine(_data, "stratus.db"))), masterKey, _data, _time, NullLogger<AccountDirectory>.Instance);
}
