/* LTI pages shown inside the LMS (no inline script: the Content-Security-Policy runs none).
   - <form data-lti-autosubmit>: posts itself at once (the Deep Linking answer back to the LMS)
   - <body data-lti-close> (on the page): LTI Dynamic Registration is done: tell the LMS to close the
     registration window, {subject: "org.imsglobal.lti.close"} to the opener or parent. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-lti-autosubmit]");
  if (form) form.submit();
  if (document.querySelector("[data-lti-close]")) {
    var target = window.opener || window.parent;
    if (target && target !== window) target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();
