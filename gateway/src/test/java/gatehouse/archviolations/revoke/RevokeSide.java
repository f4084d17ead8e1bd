package gatehouse.archviolations.revoke;

import gatehouse.archviolations.authn.jwt.JwtSide;

/** A deny-list that knows one kind of authenticator rather than their shared answer. */
public class RevokeSide {
  public JwtSide authenticator;
}
