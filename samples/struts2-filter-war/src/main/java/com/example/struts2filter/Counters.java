package com.example.struts2filter;

import java.util.concurrent.atomic.AtomicLong;

/** How often each action ran, for /stats. */
final class Counters {

  static final AtomicLong HELLO = new AtomicLong();
  static final AtomicLong LOGIN = new AtomicLong();

  private Counters() {}
}
