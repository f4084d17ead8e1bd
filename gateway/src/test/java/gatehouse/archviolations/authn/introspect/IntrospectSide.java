package gatehouse.archviolations.authn.introspect;

import gatehouse.archviolations.authn.jwt.JwtSide;

/** An authenticator that reaches into another authenticator's package. */
public class IntrospectSide {
  public JwtSide borrowed;
}
