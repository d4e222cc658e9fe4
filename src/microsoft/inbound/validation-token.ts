/**
 * Graph's validation handshake echoes the token back as the response body. We only echo inert text:
 * printable ASCII without markup or quoting characters, at most 1024 characters (Graph's tokens are
 * sentences like "Validation: Testing client application reachability for subscription Request-Id: …").
 * Anything else could turn our origin into a reflector for script or HTML.
 */
export function isInertValidationToken(token: string): boolean {
  return (
    token.length > 0 && token.length <= 1024 && /^[\x20-\x7E]+$/.test(token) && !/[<>&"'`\\]/.test(token)
  );
}
