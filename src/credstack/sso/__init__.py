"""Single sign-on per organization (issue 17, decision 0055): an organization's OpenID Connect or SAML 2.0
identity provider, kept as one django-allauth ``SocialApp`` row, the email domains it signs in, the role
a new member gets and the IdP groups that map to roles, and whether its members must use it."""
