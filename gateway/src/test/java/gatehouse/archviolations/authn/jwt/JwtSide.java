package gatehouse.archviolations.authn.jwt;

/** A piece of one authenticator that another one borrows (as ClaimMapping once was). */
public class JwtSide {}
