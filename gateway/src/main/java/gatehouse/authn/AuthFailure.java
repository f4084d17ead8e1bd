package gatehouse.authn;

/**
 * Why a presented credential was refused. {@code code} is short and stable and goes to the client
 * as RFC 6750 {@code error_description} (for example {@code expired}, {@code bad_signature});
 * {@code detail} goes only to the log and never contains the credential.
 */
public record AuthFailure(String code, String detail) {}
