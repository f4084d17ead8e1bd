package gatehouse.archviolations.config;

import gatehouse.archviolations.credential.CredentialSide;

/** Half of a package cycle: config reads a credential type, as config once read credential.Secret. */
public class ConfigSide {
  public CredentialSide secret;
}
